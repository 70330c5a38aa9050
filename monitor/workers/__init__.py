"""Scale-out: Celery workers running the pipeline's batch steps (see monitor/steps.py)."""
