"""Pure control-plane decisions: flags, routing, SLO windows, rollout phases, shadow diffs (no I/O)."""
