"""Domain layer: the core ML logic and rules (data, models, experiments).

It imports no other layer of this project except ``shared``; it knows nothing
about the workbench, the model store or how it is deployed.
"""
