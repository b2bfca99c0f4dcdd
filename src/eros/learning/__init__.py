"""The learning loop's pure core: the LEARNINGS.md document and how signals become learnings."""
