from schools.selectors.schools import schools_visible_to

__all__ = ["schools_visible_to"]
