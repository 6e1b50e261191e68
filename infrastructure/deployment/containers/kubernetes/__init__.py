"""The iris service on Kubernetes: manifests generated from code, validated offline against the API schemas.

Files here:
    manifests.py            Deployment, Service and HorizontalPodAutoscaler as data, and policy checks on them
    iris-service.yaml       what manifests.py generates with its defaults (`kubectl apply -f` it on a cluster)
    schema_validation.py    one object against the Kubernetes API schema of a version, offline (strict)
(The kubernetes-manifests lesson's steps live with the lesson: lessons/085-kubernetes-manifests/steps.py.)
"""
