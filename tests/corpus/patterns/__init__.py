"""One small DRF app (serializers, viewsets, a router) per real-world pattern.

Written for this corpus, after patterns seen in paperless-ngx, drf-spectacular's test
suite and a multi-tenant app (../../../../shared/USERS.md, "What a real DRF project...").
Each module's routers are importable on their own: one failing pattern never hides
another.
"""
