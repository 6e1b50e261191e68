"""The iris service as a container image: the project's Dockerfile, its build context and the docker-build lesson.

Files here:
    Dockerfile            multi-stage, offline (wheelhouse + --no-index), non-root, HEALTHCHECK on /readyz
    .dockerignore         what never goes into the build context
    build_base_image.sh   a Python 3.11 base image from Debian bookworm with no registry (debootstrap + docker import)
    build_context.py      the build context under the workbench home: wheelhouse, exported model, service files
    engine.py             the Docker Engine connection, and containers that are removed even on cancel
    hadolint.py           the Dockerfile linter's findings as data
    images.py             the image name, the base image to build on, what a safe image must be
(The docker-build lesson's steps live with the lesson: lessons/080-docker-build/steps.py.)
"""
