"""The GitHub Actions pipeline and the ci-pipeline lesson.

Files here:
    workbench.yml       the workflow: `make test`, and every lesson headless with a JUnit report uploaded
                        (copy it to .github/workflows/ to switch it on)
    pipeline_lesson.py  the lesson's steps: validate the workflow offline, reject broken ones, run the headless command locally
"""
