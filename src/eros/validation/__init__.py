"""The rule engine: hard gates, the quality score and signed certificates."""
