"""The iris service on Kubernetes: manifests generated from code, validated offline against the API schemas.

Files here:
    manifests.py            Deployment, Service and HorizontalPodAutoscaler as data, and policy checks on them
    iris-service.yaml       what manifests.py generates with its defaults (`kubectl apply -f` it on a cluster)
    kubernetes_lesson.py    the kubernetes-manifests lesson's steps: generate, validate, reject-broken
"""
