"""`acorn init`: an acorn.toml and a glue template a team fills in (issue 15, "Wiring").

These check what is written and every refusal. What a team does next (init, fill each TODO with
a call into its connector, acorn run: GO) is proven from the installed wheel, with the bundled
reference connector, in tests/e2e/test_wheel.py.
"""

from __future__ import annotations

import ast
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.init import plan_init, write_init
from harness.drive import load_integration
from harness.drive.action_schema import schema_of
from harness.drive.scope import ACTIONS
from harness.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
ACORN = [sys.executable, "-m", "harness.cli.main"]


def acorn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ACORN, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=900
    )


def test_python_driver_writes_a_loadable_toml_and_an_adapter_showing_every_field(
    tmp_path: Path,
) -> None:
    done = acorn(
        "init", "--actions", "sync_orders,submit_feed", "--marketplaces", "US,DE", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    spec = load_integration(tmp_path)
    assert spec.driver == "python"
    assert spec.adapter == "acorn_glue:Connector"
    assert spec.scope.actions == ("sync_orders", "submit_feed")
    assert spec.marketplaces == ("ATVPDKIKX0DER", "A1PA6795UKMFR9")
    assert spec.env_map["ACORN_CLIENT_SECRET"] == "LWA_CLIENT_SECRET"
    glue = (tmp_path / "acorn_glue.py").read_text()
    tree = ast.parse(glue)
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert {"sync_orders", "submit_feed"} <= methods
    assert "publish_listing" not in methods
    for action in ("sync_orders", "submit_feed"):
        for part in ("arguments", "result"):
            for field in schema_of(action, part)["properties"]:
                assert f"  {field}: " in glue, (action, part, field)
    assert glue.count("TODO") == 4  # the docstring, the constructor and one per action


def test_command_driver_in_python_runs_each_action_as_a_command(tmp_path: Path) -> None:
    plan = plan_init(tmp_path, driver="command", lang="python", actions="confirm_shipment")
    write_init(plan)
    spec = load_integration(tmp_path)
    assert spec.commands == {"confirm_shipment": "python3 acorn_glue.py confirm_shipment"}
    glue = tmp_path / "acorn_glue.py"
    glue.write_text(
        glue.read_text().replace(
            'raise NotImplementedError("TODO confirm_shipment: call your integration and return '
            'the result shown above")',
            'return {"ok": True, "errors": [], "confirmed": [args["amazon_order_id"]]}',
        )
    )
    done = subprocess.run(
        [sys.executable, str(glue), "confirm_shipment"],
        input=json.dumps({"amazon_order_id": "111-1"}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True, "errors": [], "confirmed": ["111-1"]}


def test_command_driver_in_node_writes_a_script_node_accepts(tmp_path: Path) -> None:
    write_init(plan_init(tmp_path, driver="command", lang="node", actions="sync_orders"))
    spec = load_integration(tmp_path)
    assert spec.commands == {"sync_orders": "node acorn_glue.mjs sync_orders"}
    script = (tmp_path / "acorn_glue.mjs").read_text()
    assert "marketplace_ids: list of string (required)" in script
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    checked = subprocess.run([node, "--check", str(tmp_path / "acorn_glue.mjs")], check=False)
    assert checked.returncode == 0


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--driver", "java"], "--driver is 'java' Fix: choose one of: python, command"),
        (["--driver", "comand"], "did you mean 'command'?"),
        (
            ["--driver", "command", "--lang", "go"],
            "--lang is 'go' Fix: choose one of: python, node",
        ),
        (["--lang", "node"], "use --driver command --lang node"),
        (["--actions", "sync_order"], "did you mean 'sync_orders'?"),
        (["--marketplaces", "US,XX"], "names 'XX', which is not a marketplace ACORN knows"),
    ],
)
def test_bad_options_are_refused_with_the_choices(
    tmp_path: Path, options: list[str], said: str
) -> None:
    done = acorn("init", *options, cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "acorn.toml").exists()


def test_an_existing_acorn_toml_is_kept_unless_force(tmp_path: Path) -> None:
    (tmp_path / "acorn.toml").write_text("# the team's own\n")
    done = acorn("init", cwd=tmp_path)
    assert done.returncode == 2
    assert "acorn.toml already exists" in done.stderr
    assert "--force" in done.stderr
    assert (tmp_path / "acorn.toml").read_text() == "# the team's own\n"
    assert not (tmp_path / "acorn_glue.py").exists()
    forced = acorn("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert load_integration(tmp_path).scope.actions == ACTIONS


def test_plan_refuses_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an action"):
        plan_init(tmp_path, actions="nope")
    assert list(tmp_path.iterdir()) == []


def test_the_readme_wiring_commands_run_as_written(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text().split("### Wiring your integration in\n", 1)[1]
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [ln.split("  #")[0].strip() for ln in block.splitlines() if ln.strip()]
    assert [ln.split()[:2] for ln in lines] == [
        ["acorn", "init"],
        ["acorn", "init"],
        ["acorn", "actions"],
    ]
    outputs = []
    for line in lines:
        done = acorn(*shlex.split(line)[1:], cwd=tmp_path)
        assert done.returncode == 0, f"{line}: {done.stderr}"
        outputs.append(done.stdout)
    spec = load_integration(tmp_path)  # the second one replaced the first (--force)
    assert spec.driver == "command"
    assert spec.commands["sync_orders"] == "node acorn_glue.mjs sync_orders"
    assert (tmp_path / "acorn_glue.py").is_file()  # the first one's glue stays
    assert json.loads(outputs[2])["result"]["required"] == ["ok"]
