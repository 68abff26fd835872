"""LL403 loss-accumulated-with-graph.

`running_loss += loss` sums loss *tensors*: each keeps its autograd graph (and the
activations it references) alive, so the graph held by running_loss grows with every
batch until the epoch ends.
"""

import torch
import torch.nn as nn


def graph_size(total) -> int:
    """Autograd nodes reachable from ``total`` (0 for a Python number)."""
    seen, stack = set(), [getattr(total, "grad_fn", None)]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)


def main() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    running_loss = 0.0
    sizes = []
    for step in range(20):
        x, y = torch.randn(16, 8), torch.randint(0, 3, (16,))
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        running_loss += loss  # expect: LL403
        sizes.append(graph_size(running_loss))
    print(f"graph nodes held by running_loss after 5 and 20 steps: {sizes[4]}, {sizes[-1]}")
    if sizes[-1] > sizes[4]:
        print("mistake shown: the retained graph grows with every step")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
