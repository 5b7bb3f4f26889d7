"""No models: this module exists so that ``migrate`` sends this app ``post_migrate``
(Django skips apps without one), which installs the PostgreSQL capture triggers."""
