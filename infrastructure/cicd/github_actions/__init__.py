"""The GitHub Actions pipeline of this project, and its offline validation.

Files here:
    workbench.yml            the workflow: `make test`, and every lesson headless with a JUnit report uploaded
                             (copy it to .github/workflows/ to switch it on)
    workflow_validation.py   check-jsonschema against GitHub's workflow schema (vendored), and what our CI must do
(The ci-pipeline lesson's steps live with the lesson: lessons/090-ci-pipeline/steps.py.)
"""
