// Parses Prometheus' text exposition format from stdin with `parse-prometheus-text-format` and
// prints the metric families as JSON: [{name, help, type, metrics: [{labels, value | buckets...}]}].
import parse from 'parse-prometheus-text-format';

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => { console.log(JSON.stringify(parse(text))); });
