"""Answers published where the resident wrote: VK comments; other networks say why not."""
