"""plan-analytics: treatment-plan compliance for behavioral-health QA staff."""

__version__ = "0.1.0"
