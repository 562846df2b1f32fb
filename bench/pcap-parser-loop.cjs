// Baseline: pcap-parser's parse-only loop (no decoding), as our users know it.
// Prints the packet count so the benchmark can check it read the whole file.
const pcapParser = require('pcap-parser');
let packets = 0;
const parser = pcapParser.parse(process.argv[2]);
parser.on('packet', () => { packets++; });
parser.on('error', (err) => { console.error(String(err)); process.exitCode = 1; });
parser.on('end', () => { console.log(JSON.stringify({ packets })); });
