"""Official pages (госпаблики): how the recipients' own pages answer residents."""
