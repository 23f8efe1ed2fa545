from lantu.simulator.params import Params, stream


def test_every_parameter_has_a_source():
    leaves = Params.load().leaves()
    assert len(leaves) > 50
    missing = [path for path, _, source in leaves if len(source.strip()) < 8]
    assert missing == []


def test_yearly_values_interpolate_between_listed_years():
    p = Params.load()
    assert p.yearly("standards.income_line", 2014) == 2800
    low, high = p.yearly("income.dibao_standard", 2014), p.yearly("income.dibao_standard", 2020)
    assert low < p.yearly("income.dibao_standard", 2017) < high
    assert p.yearly("standards.monitoring_line", 2030) == p.yearly(
        "standards.monitoring_line", 2025
    )


def test_streams_are_independent_and_repeatable():
    assert stream(1, "a").random() == stream(1, "a").random()
    assert stream(1, "a").random() != stream(1, "b").random()
    assert stream(1, "a").random() != stream(2, "a").random()


def test_public_function_runs_a_tiny_county(tmp_path):
    import lantu.simulator

    out = lantu.simulator.simulate("county", tmp_path / "x", seed=5, people=300)
    assert (out / "observed" / "registry" / "households.parquet").exists()
    assert (out / "truth" / "persons.parquet").exists()


def test_the_lines_are_the_rulers_own():
    """The truth and the rules read one value per year (the ruler's, each with its document)."""
    from lantu.standards.policy import load

    p, pol = Params.load(), load("yunnan")
    for name in ("income_line", "monitoring_line"):
        param = pol.parameters[name]
        for year in range(2021 if name == "monitoring_line" else 2014, 2027):
            found = param.at(year)
            assert found is not None
            assert p.yearly(f"standards.{name}", year) == float(found.value), (name, year)
    assert p.yearly("standards.monitoring_line", 2024) == 6000
    assert p.yearly("standards.monitoring_line", 2025) == 8700
