"""Write the MLOps corpus the gpt-from-scratch lesson trains on (run once; the output is committed).

    python -m domain.data.pipelines.write_mlops_corpus

Every sentence is composed here from hand-written parts (a subject, an action,
an object, a reason or a time), so the text is the project's own: no download,
no licence question, reproducible with the seed. The held-out split is drawn
at random from the same pool of composed sentences, so it comes from the same
distribution as the training text but no held-out sentence appears in training.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20260118
SENTENCES = 3000
HELDOUT_SHARE = 0.1
OUT = Path(__file__).resolve().parents[1] / "sources" / "mlops_corpus"
DATA_FILE = "mlops_corpus.jsonl"

WHO = [
    "The data team",
    "Our platform engineer",
    "The on-call engineer",
    "The research group",
    "The release manager",
    "A new hire",
    "The model owner",
    "The reviewer",
    "The analytics team",
    "The serving team",
    "The tech lead",
    "The data scientist",
]
MODELS = [
    "the iris classifier",
    "the churn model",
    "the fraud detector",
    "the ranking model",
    "the topic classifier",
    "the digits network",
    "the demand forecast",
    "the sentiment model",
    "the recommender",
    "the language model",
]
TRAINED = [
    "retrained",
    "validated",
    "deployed",
    "rolled back",
    "registered",
    "evaluated",
    "fine-tuned",
    "packaged",
    "promoted",
    "archived",
]
WHEN = [
    "on Monday",
    "last night",
    "after the data refresh",
    "before the release",
    "during the incident",
    "in the nightly pipeline",
    "after the review",
    "this sprint",
    "at the end of the quarter",
    "on the staging cluster",
]
TOOLS = [
    "BentoML",
    "MLflow",
    "Docker",
    "Kubernetes",
    "GitHub Actions",
    "PyTorch",
    "scikit-learn",
    "Prometheus",
    "torchrun",
    "a feature store",
]
TOOL_JOBS = {
    "BentoML": [
        "serves the model behind an HTTP endpoint",
        "keeps every model version in its model store",
        "builds a bento with the code and the model",
    ],
    "MLflow": ["records the parameters and metrics of every run", "compares runs side by side", "keeps the model registry"],
    "Docker": [
        "packs the service into an image",
        "runs the same image on every machine",
        "pins the system libraries the model needs",
    ],
    "Kubernetes": [
        "restarts the service when it crashes",
        "scales the replicas with the traffic",
        "rolls out the new version one pod at a time",
    ],
    "GitHub Actions": [
        "runs the tests on every pull request",
        "builds the image after each merge",
        "blocks a release when a check fails",
    ],
    "PyTorch": [
        "computes the gradients for the training loop",
        "moves the tensors to the GPU when there is one",
        "saves the weights as a checkpoint",
    ],
    "scikit-learn": [
        "fits the baseline in a few seconds",
        "splits the data into train and test sets",
        "scores the predictions with a classification report",
    ],
    "Prometheus": [
        "scrapes the latency of every request",
        "alerts when the error rate rises",
        "stores the feature histograms for drift checks",
    ],
    "torchrun": ["starts one worker per process", "averages the gradients across the workers", "restarts a worker that fails"],
    "a feature store": [
        "serves the same features in training and in production",
        "keeps the history of each feature",
        "joins the features to the labels",
    ],
}
METRICS = [
    "accuracy",
    "recall",
    "precision",
    "the F1 score",
    "the error rate",
    "the latency",
    "the perplexity",
    "the loss",
    "the drift score",
    "the throughput",
]
UP = ["rose", "jumped", "climbed", "went up"]
DOWN = ["fell", "dropped", "dropped slightly", "went down"]
CAUSES = [
    "the labels were cleaned",
    "the learning rate was lowered",
    "more data was added",
    "the features were scaled",
    "the batch size was doubled",
    "a bug in the split was fixed",
    "the model was trained for longer",
    "the cache was warmed up",
    "the traffic doubled",
    "the input data drifted",
]
CHECKS = [
    "the test accuracy",
    "the schema of the input",
    "the size of the image",
    "the drift report",
    "the latency under load",
    "the model card",
    "the training data version",
    "the confusion matrix",
]
STAGES = ["staging", "production", "the canary", "the shadow deployment", "the test cluster"]
PROBLEMS = [
    "the schema changed",
    "a column was missing",
    "the disk was full",
    "the GPU ran out of memory",
    "the port was already in use",
    "a dependency was not pinned",
    "the seed was not fixed",
    "the validation set leaked into training",
]
ADVICE = [
    "Always pin the versions of your dependencies.",
    "Never evaluate on the data you trained on.",
    "Log every run, even the ones that fail.",
    "Keep the training code and the serving code in one repository.",
    "Write down where the data came from.",
    "Fix the random seed before you compare two runs.",
    "Watch the inputs in production, not only the outputs.",
    "A model without a test is a guess.",
    "Roll back first, debug later.",
    "Measure the latency before you promise it.",
]


def compose(rng: random.Random) -> str:
    """One sentence from one of the templates below."""
    template = rng.randrange(10)
    if template == 0:
        return f"{rng.choice(WHO)} {rng.choice(TRAINED)} {rng.choice(MODELS)} {rng.choice(WHEN)}."
    if template == 1:
        tool = rng.choice(TOOLS)
        return f"{tool} {rng.choice(TOOL_JOBS[tool])}."
    if template == 2:
        before = rng.randrange(50, 90)
        after = before + rng.randrange(1, 10) * rng.choice((-1, 1))
        move = rng.choice(UP if after > before else DOWN)
        return f"On the held-out set {rng.choice(METRICS)} {move} from 0.{before} to 0.{after} after {rng.choice(CAUSES)}."
    if template == 3:
        return f"Before {rng.choice(MODELS)} goes to {rng.choice(STAGES)}, check {rng.choice(CHECKS)}."
    if template == 4:
        return f"The {rng.choice(['training job', 'deployment', 'build', 'data check'])} failed {rng.choice(WHEN)} because {rng.choice(PROBLEMS)}."
    if template == 5:
        return f"{rng.choice(WHO)} used {rng.choice(TOOLS)} to ship version {rng.randrange(1, 30)} of {rng.choice(MODELS)}."
    if template == 6:
        return f"{rng.choice(METRICS).capitalize()} {rng.choice(UP + DOWN)} when {rng.choice(CAUSES)}."
    if template == 7:
        return rng.choice(ADVICE)
    if template == 8:
        return (
            f"{rng.choice(WHO)} {rng.choice(['noticed', 'reported', 'found', 'explained'])} that "
            f"{rng.choice(PROBLEMS)} {rng.choice(WHEN)}."
        )
    origin, target = rng.sample(STAGES, 2)
    return f"We moved {rng.choice(MODELS)} from {origin} to {target} with {rng.choice(TOOLS)}."


def build() -> list[dict[str, str]]:
    """Distinct sentences, shuffled, each marked ``train`` or ``heldout`` at random (10 % held out)."""
    rng = random.Random(SEED)
    seen: set[str] = set()
    while len(seen) < SENTENCES:
        seen.add(compose(rng))
    sentences = sorted(seen)
    rng.shuffle(sentences)
    n_heldout = round(SENTENCES * HELDOUT_SHARE)
    return [{"text": text, "split": "heldout" if i < n_heldout else "train"} for i, text in enumerate(sentences)]


def main() -> None:
    rows = build()
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / DATA_FILE).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} sentences to {OUT / DATA_FILE}")
    for split in ("train", "heldout"):
        lines = [r["text"] for r in rows if r["split"] == split]
        words = sum(len(line.split()) for line in lines)
        print(f"  {split:<8} {len(lines):>5} sentences, {words:>6} words, {sum(map(len, lines)):>7} characters")


if __name__ == "__main__":
    main()
