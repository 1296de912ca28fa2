"""Models trained for evaluation only (the learned stage without its concept features)."""
