"""The analysts' loop: review queues, audit estimates, labels, retraining, the model registry."""
