"""Just-in-time defect prediction: changes that introduced bugs (SZZ), their features and models."""
