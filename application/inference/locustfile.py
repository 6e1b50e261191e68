"""Load test users for the iris service: `locust -f application/inference/locustfile.py --host http://127.0.0.1:3000`."""

from locust import HttpUser, constant, task

FLOWERS = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]]


class IrisUser(HttpUser):
    wait_time = constant(0)  # each user sends its next request as soon as the last one returns

    @task(3)
    def predict_proba(self) -> None:
        self.client.post("/predict_proba", json={"features": [FLOWERS[0]]}, name="/predict_proba")

    @task(1)
    def classify(self) -> None:
        self.client.post("/classify", json={"features": FLOWERS}, name="/classify")
