"""Solution: backward() only computes gradients; optimizer.step() applies them to the weights."""


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total = 0.0
    batches = 0
    for features, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(features), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / max(batches, 1)
