"""The iris service as a container image: the project's Dockerfile, its build context and the docker-build lesson.

Files here:
    Dockerfile            multi-stage, offline (wheelhouse + --no-index), non-root, HEALTHCHECK on /readyz
    .dockerignore         what never goes into the build context
    build_base_image.sh   a Python 3.11 base image from Debian bookworm with no registry (debootstrap + docker import)
    build_context.py      the build context under the workbench home: wheelhouse, exported model, service files
    engine.py             the Docker Engine connection, and containers that are removed even on cancel
    docker_lesson.py      the lesson's steps: lint, prepare, build, inspect, run
"""
