"""Test support for auditor, kept out of the auditor wheel (installed editable by `make test`).

Modules (import the one you need; importing this package imports nothing else):

- ``netguard``: refuse every non-loopback connection and non-local name lookup in a test process.
- ``fakeapi``: the local HTTP(S) fake-API base (routes, request log, faults, latency, paging).
- ``local``: free loopback ports, a closed-port URL, stopping child servers by PID.
- ``k8s_fake``: the Kubernetes API fake (HTTPS) for kinds newer than the real test apiserver.
- ``kubeapi``: a real kube-apiserver v1.20.2 + etcd on 127.0.0.1.
- ``k8s_seed``: seed a real apiserver with the estate and bind the scanner to the shipped roles.
- ``openbao``: real OpenBao servers (dev, and TLS + raft) and their seed.
- ``aws.moto``: moto in server mode (own process) and the SigV4-aware fault/latency proxy.
- ``aws.seed``: the AWS reference estate (pass-*/fail-*) and benchmark bulk.

See testkit/README.md.
"""
