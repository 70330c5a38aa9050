"""Appeals that arrive from other systems with their history (`otklik import appeals`)."""
