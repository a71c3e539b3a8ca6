"""Names and writing for the scale data: places, people, local authorities and school-improvement prose.

Text is made of whole sentences of the kind reviewers and headteachers write, with slots filled from the
school (its year groups and subjects), so a rationale of 40 to 150 words reads like one. Everything is
drawn from the caller's seeded `random.Random`, so the same seed writes the same words.
"""

import random
import string
from dataclasses import dataclass

PLACES = (
    "Oakfield", "Riverside", "Ashcombe", "Beechwood", "Brookside", "Castleford", "Deanery", "Elmhurst",
    "Fairfield", "Greenacre", "Hawthorn", "Hillcrest", "Kingsmead", "Larkspur", "Meadowbank", "Northgate",
    "Orchard", "Parkside", "Queensway", "Redwood", "Rosehill", "Saxon", "Southfield", "Thornbury", "Westfield",
    "Willowbrook", "Woodlands", "Yew Tree", "Alderley", "Bramley", "Chiltern", "Downland", "Eastbrook",
    "Foxhill", "Glenmoor", "Harbour View", "Ivybridge", "Juniper", "Kestrel", "Lindley", "Millbrook",
    "Newlands", "Oldfield", "Pennine", "Quarry Hill", "Ridgeway", "Stonebridge", "Tamar", "Upton", "Wessex",
    "Windmill", "Heathfield", "Moorland", "Cedar", "Marlborough", "Holywell", "St Mary's", "St John's",
    "St Aldhelm's", "Christ Church", "Holy Trinity", "Abbey", "Bishopsgate", "Cranbrook", "Dovecote",
    "Ferndale", "Gorse Hill", "Highfield", "Lakeside", "Longmead", "Maple", "Nightingale", "Priory",
    "Sandhurst", "Sherwood", "Summerfield", "Thameside", "Valley", "Waterside", "Whitecross",
)  # fmt: skip
TRUST_SUFFIXES = (
    "Learning Trust", "Academy Trust", "Multi-Academy Trust", "Education Trust", "Schools Partnership",
    "Academies Trust", "Learning Partnership", "Family of Schools",
)  # fmt: skip
PRIMARY_KINDS = (
    "Primary School", "Primary Academy", "Infant School", "Junior School", "CofE Primary School",
    "Community Primary School",
)  # fmt: skip
SECONDARY_KINDS = ("Academy", "High School", "School", "Secondary Academy", "College")
FIRST_NAMES = (
    "Helen", "David", "Priya", "Tom", "Sarah", "Joanne", "Gareth", "Amira", "Claire", "Anil", "Fiona", "Ben",
    "Rachel", "Mark", "Grace", "Anita", "Samuel", "Olivia", "James", "Fatima", "Peter", "Hannah", "Imran",
    "Lucy", "Michael", "Emma", "Kwame", "Sophie", "Daniel", "Aisha", "Robert", "Megan", "Chris", "Nadia",
    "Andrew", "Katie", "Jonathan", "Zara", "Paul", "Laura", "Rhys", "Chloe", "Simon", "Yasmin", "Neil",
    "Eleanor", "Tariq", "Rebecca", "Martin", "Gemma", "Owen", "Harriet", "Adebayo", "Jessica", "Ian", "Ruth",
)  # fmt: skip
LAST_NAMES = (
    "Carter", "Okafor", "Shah", "Fairweather", "Mensah", "Pike", "Lloyd", "Haddad", "Whitlock", "Ghosh",
    "Reid", "Adeyinka", "Adams", "Ellison", "Kaur", "Marsh", "Chen", "Raman", "Whitfield", "Patel", "Khan",
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts",
    "Johnson", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
    "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King",
    "Baker", "Begum", "Hussain", "Nowak", "Osei", "Murphy", "O'Brien", "Campbell", "Kennedy", "Ali",
)  # fmt: skip
TITLES = ("Mrs", "Mr", "Ms", "Dr", "Miss")
# (code, name, postcode area): the local authorities the scale trusts' schools sit in.
LOCAL_AUTHORITIES = (
    ("850", "Hampshire", "SO"), ("936", "Surrey", "GU"), ("330", "Birmingham", "B"), ("373", "Sheffield", "S"),
    ("886", "Kent", "ME"), ("926", "Norfolk", "NR"), ("340", "Knowsley", "L"), ("204", "Hackney", "E"),
    ("380", "Bradford", "BD"), ("352", "Manchester", "M"), ("908", "Cornwall", "TR"), ("919", "Hertfordshire", "AL"),
    ("855", "Leicestershire", "LE"), ("881", "Essex", "CM"), ("925", "Lincolnshire", "LN"), ("878", "Devon", "EX"),
    ("831", "Derby", "DE"), ("893", "Shropshire", "SY"), ("390", "Gateshead", "NE"), ("801", "Bristol", "BS"),
    ("815", "North Yorkshire", "YO"), ("873", "Cambridgeshire", "CB"), ("931", "Oxfordshire", "OX"),
    ("888", "Lancashire", "PR"),
)  # fmt: skip

WHO = (
    "The headteacher", "The deputy headteacher", "Leaders", "Senior leaders", "The English lead", "The maths lead",
    "The SENCo", "Middle leaders", "The designated safeguarding lead", "Governors",
)  # fmt: skip
GROUPS = (
    "disadvantaged pupils", "pupils with SEND", "boys", "the most able pupils", "pupils who speak English as "
    "an additional language", "pupils in the bottom 20% for reading", "pupils who joined mid-year",
)  # fmt: skip
OWNERS = (
    "Headteacher", "Deputy headteacher", "English lead", "Maths lead", "SENCo", "Attendance officer",
    "Assistant headteacher (curriculum)", "Early years lead", "Chair of governors", "Phase leader",
)  # fmt: skip

STRENGTHS = (
    "Pupils in {year} read fluently and with understanding from books well matched to the sounds they know.",
    "{who} has an accurate view of the school's strengths and acts quickly on what monitoring shows.",
    "The {subject} curriculum is well sequenced, so pupils build knowledge securely from one year to the next.",
    "Behaviour in lessons and at social times is calm and purposeful; pupils say adults sort out problems quickly.",
    "Attendance has risen to {high}% this year, above the national figure, after sustained work with families.",
    "Teachers check pupils' understanding well in {subject} and adapt lessons for {group}.",
    "Safeguarding is effective: records are detailed, referrals are timely and staff know their duties.",
    "Governors ask searching questions about the progress of {group} and hold leaders to account.",
    "Subject leaders have a clear picture of their subjects from regular book looks and pupil voice.",
    "Provision for pupils with SEND is well organised; support plans are precise and reviewed each half-term.",
    "Staff speak highly of the professional development they receive, particularly the coaching programme.",
    "Work in {year} books shows sustained improvement in presentation and the quality of extended writing.",
    "Relationships between staff and pupils are warm and respectful, and pupils say they feel safe in school.",
    "The school's own assessment information is accurate and matches what we saw in books and lessons.",
    "{who} has built a stable, committed team after a period of staff turnover.",
    "Pupils' personal development is well supported through clubs, trips and leadership roles.",
    "The gap between {group} and their peers in {subject} has narrowed for the second year running.",
    "Lessons in {subject} start with well-chosen retrieval practice, and pupils remember what they learned.",
    "{pct}% of pupils in {year} are on track in {subject}, up from last half-term.",
    "Teaching assistants are well briefed and make a clear difference to {group} in {subject}.",
)
DEVELOPMENTS = (
    "Questioning in {subject} too often relies on volunteers, so misconceptions go unnoticed.",
    "{group_cap} in {year} are not yet making the progress they should in {subject}.",
    "Persistent absence remains high at {low}%; the attendance strategy needs a named lead and weekly tracking.",
    "Leaders' monitoring records what is happening rather than its impact on pupils' learning.",
    "The {subject} curriculum is not yet planned in enough detail beyond {year}.",
    "The feedback policy is applied inconsistently between classes, so pupils do not always act on advice.",
    "Weaker readers in {year} do not read aloud to an adult often enough to catch up quickly.",
    "Governors need sharper information on the progress of {group} to challenge leaders well.",
    "Expectations of handwriting and presentation vary between year groups.",
    "Teaching assistants are not always deployed where they have most impact on learning.",
    "The self-evaluation is generous in places and not yet tied closely enough to evidence.",
    "Middle leaders are new to their roles and need support to lead improvement in their subjects.",
    "Too few pupils reach the higher standard in {subject}; challenge for the most able is inconsistent.",
    "Low-level disruption in some {year} lessons slows learning.",
    "Suspensions have risen this year and the reasons behind them need closer analysis.",
    "Only {pct}% of {group} are on track in {subject}, well below their peers.",
    "Checks on the quality of {subject} teaching are too infrequent to spot weaker practice early.",
)
DECISIONS = (
    "On the balance of the review, the latest data and the visit notes, {level} is the right level of support.",
    "We agreed with the headteacher that the school is placed at {level} and that visits change to match.",
    "The school stays at {level} until the improvements in {subject} show in the summer results.",
    "The directors' school improvement committee confirmed {level} at its meeting this half-term.",
    "{level} reflects the school's current capacity to improve without intensive trust support.",
)
VISIT_OPENERS = (
    "Learning walk with the deputy headteacher focused on {subject} in {year}.",
    "Met the SENCo and reviewed the provision map for {group}.",
    "Attendance review with the family liaison officer and the headteacher.",
    "Work scrutiny of {subject} books across {year} with the subject lead.",
    "Joint lesson observations in {subject} with the headteacher.",
    "Met the chair of governors to discuss the improvement plan and this term's priorities.",
)
ACTIONS = (
    "Introduce daily fluency sessions in {year} {subject} and check their impact in half-termly assessments.",
    "Train all teaching assistants in precision teaching and timetable sessions for {group}.",
    "Run a fortnightly attendance panel with the family liaison officer for pupils below 90% attendance.",
    "Review the {subject} long-term plan with the trust's subject lead and publish the revised sequence.",
    "Observe every teacher of {subject} and give follow-up coaching within a week.",
    "Report termly to the local governing board on the progress of {group} in {subject}.",
    "Launch the new behaviour routines with all staff and check them on weekly learning walks.",
    "Audit reading books in {year} against the phonics scheme and replace those that do not match.",
    "Set up a middle leaders' network with a partner school in the trust, meeting each half-term.",
    "Moderate {subject} assessments in {year} with a partner school before each data drop.",
)
PRIORITIES = (
    "Raise attainment in {subject} by the end of {stage}",
    "Improve attendance and reduce persistent absence",
    "Strengthen early reading and phonics",
    "Develop middle leaders to lead their subjects",
    "Close the gap for {group} in {subject}",
    "Embed consistent behaviour routines across the school",
    "Improve provision and outcomes for pupils with SEND",
    "Secure a well-sequenced curriculum in foundation subjects",
    "Sharpen governors' challenge on pupils' progress",
    "Raise the proportion reaching the higher standard in {subject}",
)
TARGETS = (
    "{pct}% of {year} pupils at the expected standard in {subject} by July",
    "Persistent absence below {low}% by the end of the spring term",
    "Every {subject} lesson in {year} begins with retrieval practice",
    "All support plans for pupils with SEND reviewed with families each half-term",
    "Governors' minutes record challenge on the progress of {group}",
    "Teachers check every pupil's understanding before moving on in {subject}",
)
PROGRESS_UPDATES = (
    "The {subject} scheme is now in place in all classes; coaching in {year} slipped because of staff absence "
    "and restarts after half-term.",
    "Attendance is up on last term and the weekly panel is meeting as planned.",
    "The new assessment calendar is in place and the first data drop has been moderated with a partner school.",
    "Governors have visited to see the new {subject} curriculum and reported back to the full board.",
)
IMPACTS = (
    "Teachers now plan {subject} lessons from the shared sequence, and book looks show more consistent practice.",
    "A termly report to governors on {group} has become a standing item, with clear actions each time.",
    "The school now runs its own monitoring cycle with a named lead for each priority.",
    "Outcomes in {subject} rose in the summer assessments, most for {group}.",
)
EVIDENCE_SUMMARIES = {
    "learning_walk": "Learning walk: {subject} across {year}, with the subject lead.",
    "lesson_observation": "Joint lesson observation: {year} {subject}.",
    "work_scrutiny": "Work scrutiny: {subject} books in {year}.",
    "pupil_voice": "Pupil voice: {year} on behaviour, bullying and feeling safe.",
    "data_analysis": "Half-termly data review: attainment and attendance against national.",
    "governance_audit": "Governance audit: minutes, visits and challenge from the local board.",
    "safeguarding_audit": "Annual safeguarding audit with the designated safeguarding lead.",
    "send_audit": "SEND audit: provision map, support plans and outcomes for {group}.",
    "moderation": "Moderation of {subject} assessments in {year} with a partner school.",
}
INTERVENTIONS = (
    ("Reading fluency in Key Stage 2", "upper_ks2"),
    ("Maths mastery in the lower years", "maths"),
    ("Persistent absence and family support", "behaviour_and_attendance"),
    ("Early years continuous provision", "early_years"),
    ("SEND provision review", "send"),
    ("Governors' challenge on the curriculum", "governance"),
    ("Leadership coaching for the new headteacher", "leadership_and_management"),
    ("Phonics catch-up in Key Stage 1", "ks1"),
    ("Safeguarding procedures and records", "safeguarding"),
    ("Curriculum sequencing in foundation subjects", "curriculum"),
    ("Deployment of teaching assistants", "teaching_assistants"),
    ("Writing across the school", "english"),
    ("Budget recovery plan", "finance"),
)


def _slots(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


# Which slots each template needs, worked out once: filling only those keeps the writing cheap.
_NEEDS = {
    t: _slots(t)
    for bank in (
        STRENGTHS,
        DEVELOPMENTS,
        DECISIONS,
        VISIT_OPENERS,
        ACTIONS,
        PRIORITIES,
        TARGETS,
        PROGRESS_UPDATES,
        IMPACTS,
        tuple(EVIDENCE_SUMMARIES.values()),
    )
    for t in bank
}


@dataclass(frozen=True)
class Voice:
    """What the prose may mention for one school: its year groups, subjects and key stage."""

    years: tuple[str, ...]
    subjects: tuple[str, ...]
    stage: str


PRIMARY_VOICE = Voice(
    years=("Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6"),
    subjects=("reading", "writing", "maths", "phonics", "science", "history", "geography"),
    stage="Key Stage 2",
)
SECONDARY_VOICE = Voice(
    years=("Year 7", "Year 8", "Year 9", "Year 10", "Year 11"),
    subjects=("English", "maths", "science", "history", "geography", "modern languages", "computing"),
    stage="Key Stage 4",
)


class Writer:
    """Sentences, paragraphs and titles for one school, from a seeded generator."""

    def __init__(self, rng: random.Random, voice: Voice) -> None:
        self.rng = rng
        self.voice = voice

    def fill(self, template: str, **given: str) -> str:
        rng = self.rng
        values: dict[str, object] = {}
        needs = _NEEDS.get(template)
        for name in _slots(template) if needs is None else needs:
            if name in given:
                values[name] = given[name]
            elif name == "year":
                values[name] = rng.choice(self.voice.years)
            elif name == "subject":
                values[name] = rng.choice(self.voice.subjects)
            elif name == "stage":
                values[name] = self.voice.stage
            elif name in ("group", "group_cap"):
                group = rng.choice(GROUPS)
                values[name] = group[0].upper() + group[1:] if name == "group_cap" else group
            elif name == "who":
                values[name] = rng.choice(WHO)
            elif name == "pct":
                values[name] = rng.randint(55, 92)
            elif name == "high":
                values[name] = f"{rng.randint(950, 972) / 10:.1f}"
            elif name == "low":
                values[name] = rng.randint(9, 24)
            else:
                values[name] = ""
        return template.format_map(values)

    def paragraph(self, banks: tuple[tuple[str, ...], ...], low: int, high: int, **given: str) -> str:
        """Whole sentences from the banks in turn until the text is `low` to `high` words long."""
        target = self.rng.randint(low, high)
        sentences: list[str] = []
        words = 0
        turn = 0
        while words < target:
            sentence = self.fill(self.rng.choice(banks[turn % len(banks)]), **given)
            turn += 1
            words += sentence.count(" ") + 1
            sentences.append(sentence)
        return " ".join(sentences)

    def strengths(self, low: int = 40, high: int = 150) -> str:
        return self.paragraph((STRENGTHS,), low, high)

    def developments(self, low: int = 40, high: int = 150) -> str:
        return self.paragraph((DEVELOPMENTS,), low, high)

    def balanced(self, low: int = 40, high: int = 150) -> str:
        return self.paragraph((STRENGTHS, DEVELOPMENTS), low, high)

    def rationale(self, level: str) -> str:
        opening = self.fill(self.rng.choice(DECISIONS), level=level)
        return f"{opening} {self.balanced(30, 130)}"

    def visit_notes(self) -> str:
        opening = self.fill(self.rng.choice(VISIT_OPENERS))
        return f"{opening} {self.balanced(30, 130)}"

    def one(self, bank: tuple[str, ...], **given: str) -> str:
        return self.fill(self.rng.choice(bank), **given)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
