"""The steps of muronet's playbooks, for the action plugins of the ``muronet.city`` collection.

The same steps as :mod:`muronet.tasks`, over the session Ansible keeps to each device
(``network_cli``): render the intended configuration, push it with the platform's driver, keep a
rollback point until the change is confirmed, verify the routing state, back up. The plugins stay
thin adapters; everything they do is here, typed and tested.
"""
