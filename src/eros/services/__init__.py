"""Use cases: the pipelines, the control plane and the learning loop, over ports and a unit of work."""
