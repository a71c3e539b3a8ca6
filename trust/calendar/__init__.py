"""The academic calendar: years, terms and half-terms; private iCalendar feeds."""
