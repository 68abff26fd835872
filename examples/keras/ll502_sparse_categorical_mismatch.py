"""LL502 sparse-categorical-mismatch (Keras).

Integer class labels (one per sample) trained with "categorical_crossentropy", which
takes one-hot rows shaped like the model's output: Keras raises a shape error at the
first batch.
"""

import numpy as np

import keras
from keras import layers


def main() -> None:
    keras.utils.set_random_seed(0)
    x = np.random.normal(size=(64, 20)).astype("float32")
    y = np.random.randint(0, 10, size=(64,))
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: LL502
    try:
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    except ValueError as error:
        print(f"ValueError: {str(error).splitlines()[0]}")
        print("mistake shown")
        return
    print("no mistake")


if __name__ == "__main__":
    main()
