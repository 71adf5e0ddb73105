// Loads @kubernetes/client-node (about 1000 ES modules) BEFORE tsx registers its loader hooks: the kube tests' child
// processes (crash-case runners, `turbulence recover`, the CLI) get it through NODE_OPTIONS (see `cluster.ts`,
// `kubeNodeOptions`), which Node applies before the command line's `--import tsx`. The TypeScript sources then find
// it already loaded. Through tsx's hooks the same import takes 2-3 times as long (about 5 s on a loaded machine).
await import('@kubernetes/client-node');
