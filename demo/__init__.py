"""``python -m demo`` (``make demo``): the whole system on embedded defaults, with a scripted
citizen and two scripted clerks making a real call."""
