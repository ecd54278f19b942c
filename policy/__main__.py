"""The policy pack: every invariant as a mandatory stack policy, documented exceptions advisory.

The rules live in stacks/offline/invariants.py and the adapter in stacks/policy.py; this file
only names the pack, so there is nothing here to drift from what `trudeploy plan` enforces.
"""

from pulumi_policy import PolicyPack

from stacks.policy import policies

PolicyPack(name="trudeploy-invariants", policies=policies())
