"""LL501 logits-into-probability-loss (Keras).

A classifier whose last Dense layer has no activation (raw logits) compiled with
"sparse_categorical_crossentropy", whose from_logits is False: Keras takes the logits
for probabilities, divides each row by its sum and clips it. Nothing raises; the loss
it reports and minimises is not the cross-entropy of the model's logits.
"""

import numpy as np

import keras
from keras import layers


def main() -> None:
    keras.utils.set_random_seed(0)
    x = np.random.normal(size=(64, 20)).astype("float32")
    y = np.random.randint(0, 5, size=(64,))
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(32, activation="relu"), layers.Dense(5)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # expect: LL501
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    logits = np.asarray(model.predict(x, verbose=0), dtype="float64")
    reported = float(model.evaluate(x, y, verbose=0))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    cross_entropy = float(-log_probs[np.arange(len(y)), y].mean())
    print(f"loss Keras reports: {reported:.3f}; cross-entropy of the same logits: {cross_entropy:.3f}")
    print("mistake shown" if abs(reported - cross_entropy) > 0.05 else "no mistake")


if __name__ == "__main__":
    main()
