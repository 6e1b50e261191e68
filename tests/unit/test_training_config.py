import pytest

from application.training.training_config import DEFAULT_CONFIG, ConfigError, load_config


def test_defaults_come_from_the_shipped_config_file():
    config = load_config()
    assert DEFAULT_CONFIG.name == "iris_training.toml"
    assert (config.n_estimators, config.test_size, config.random_state) == (100, 0.2, 42)


def test_overrides_win_over_the_file():
    assert load_config(n_estimators=20).n_estimators == 20


def test_an_unknown_setting_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[model]\nn_estimator = 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and "n_estimator: unknown setting" in str(info.value)


@pytest.mark.parametrize(
    "override, words",
    [
        ({"n_estimators": "many"}, "expected an integer, got 'many'"),
        ({"test_size": 1.5}, "expected a value from 0.05 to 0.95, got 1.5"),
    ],
)
def test_bad_values_say_what_was_expected(override, words):
    with pytest.raises(ConfigError) as info:
        load_config(**override)
    assert words in str(info.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_a_boolean_is_not_a_count_and_a_whole_float_is():
    with pytest.raises(ConfigError, match="n_estimators: expected an integer, got True"):
        load_config(n_estimators=True)
    assert load_config(n_estimators=5.0).n_estimators == 5


def test_a_bad_value_in_the_file_names_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[data]\ntest_size = 0.99\n")
    with pytest.raises(ConfigError, match=rf"{path}: test_size: expected a value from 0.05 to 0.95, got 0.99"):
        load_config(path)


def test_the_training_step_spells_out_every_config_setting():
    import inspect

    from application.training.iris_training import train
    from application.training.training_config import IrisTrainingConfig

    assert set(inspect.signature(train).parameters) == {"config", *IrisTrainingConfig.model_fields}
