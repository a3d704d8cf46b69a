'use strict';
// Bubble sort organism, genome 0.
// Reads {"values": number[]} as JSON on stdin and prints the sorted array as JSON on its last stdout line.
// It is slow on purpose: a later generation may evolve into something faster.

function readInput(callback) {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => callback(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

function swap(values, i, j) {
  const held = values[i];
  values[i] = values[j];
  values[j] = held;
}

function bubbleSort(input) {
  const values = input.slice();
  let passes = 0;
  for (let end = values.length - 1; end > 0; end--) {
    let swapped = false;
    for (let i = 0; i < end; i++) {
      if (values[i] > values[i + 1]) {
        swap(values, i, i + 1);
        swapped = true;
      }
    }
    passes++;
    if (!swapped) break;
  }
  return { values, passes };
}

readInput((input) => {
  const started = process.hrtime.bigint();
  const result = bubbleSort(input.values);
  const micros = (process.hrtime.bigint() - started) / 1000n;
  console.log(`sorted ${result.values.length} values in ${result.passes} passes (${micros} us)`);
  console.log(JSON.stringify(result.values));
});
