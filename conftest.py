pytest_plugins = ["cerchia_devstack.pytest_plugin"]
