/**
 * The PyPI package that provides each known Chaos Toolkit extension module, so a missing module can be
 * reported with the command that installs it. Keyed by the top-level module name.
 */
const EXTENSIONS: Readonly<Record<string, string>> = {
  chaosk8s: 'chaostoolkit-kubernetes',
  chaosprometheus: 'chaostoolkit-prometheus',
  chaosgremlin: 'chaostoolkit-gremlin',
  chaosk6: 'chaostoolkit-k6',
  chaoswm: 'chaostoolkit-wiremock',
  chaosaddons: 'chaostoolkit-addons',
  chaostracing: 'chaostoolkit-opentracing',
  chaoshumio: 'chaostoolkit-humio',
  chaosaws: 'chaostoolkit-aws',
  chaosazure: 'chaostoolkit-azure',
  chaosgcp: 'chaostoolkit-google-cloud-platform',
  chaosistio: 'chaostoolkit-istio',
  chaostoxi: 'chaostoolkit-toxiproxy',
  chaosspring: 'chaostoolkit-spring',
  chaosdatadog: 'chaostoolkit-datadog',
  chaosslack: 'chaostoolkit-slack',
  chaoscf: 'chaostoolkit-cloud-foundry',
  chaosreliably: 'chaostoolkit-reliably',
  chaoslib: 'chaostoolkit-lib',
};

/**
 * The PyPI package of a Chaos Toolkit extension module, or `undefined` when the module is not a known one.
 *
 * @example
 * pypiPackageFor('chaosk8s.pod.actions'); // 'chaostoolkit-kubernetes'
 */
export function pypiPackageFor(module: string): string | undefined {
  return EXTENSIONS[module.split('.')[0] ?? ''];
}
