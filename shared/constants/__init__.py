"""Names that the UI process and the step child processes must agree on."""

LAYERS: tuple[str, ...] = ("domain", "application", "infrastructure", "shared")

# Environment variables the runner sets for every step child.
ENV_EVENT_FD = "WORKBENCH_EVENT_FD"
ENV_HOME = "WORKBENCH_HOME"
ENV_ARTIFACTS_DIR = "WORKBENCH_ARTIFACTS_DIR"
ENV_STEP_SPEC = "WORKBENCH_STEP_SPEC"
ENV_EVENT_STDOUT = "WORKBENCH_EVENT_STDOUT"  # set: write events to stdout with a prefix (nested launchers)

# Exit codes of the command line, as documented in the README.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# Name of the iris classifier in the BentoML model store.
IRIS_MODEL_NAME = "iris_classifier"
# A model that passed model-validation carries the label stage=validated.
STAGE_LABEL = "stage"
VALIDATED_STAGE = "validated"
