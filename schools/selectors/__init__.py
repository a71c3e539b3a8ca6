from schools.selectors.schools import school_list, schools_visible_to

__all__ = ["school_list", "schools_visible_to"]
