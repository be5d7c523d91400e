"""The referee: one judge of every change — staged, a range of commits, or an action about to land."""
