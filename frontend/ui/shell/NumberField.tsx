/** A labelled whole-number input whose placeholder shows the value used when it is left empty. */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  placeholder: string;
}) {
  return (
    <label className="flex flex-col gap-0.5 text-muted">
      {label}
      <input
        type="number"
        min={min}
        max={max}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        className="w-20 border border-edge bg-void px-1 py-0.5 text-soft"
      />
    </label>
  );
}
