"""The team board: projects, tasks and comments, exposed through DRF viewsets."""
