"""``probe: vpc``: the PrivateLink side of steps 3-5 sent from a Lambda function inside the VPC.

- :mod:`.handler`: the function's code, standard library only, which relays one HTTPS request to
  the PrivateLink host it is configured for and nothing else;
- :mod:`.spec`: which function relays the requests (no HTTP client: previews load it);
- :mod:`.relay`: the runner's side, an httpx transport that turns each request into one
  invocation of that function;
- :mod:`.resources`: the component's children that run it (security group, role, log group,
  function).
"""
