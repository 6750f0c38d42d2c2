package isoduration

import (
	"testing"
	"time"
)

func TestParseAndAdd(t *testing.T) {
	base := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Time{
		"PT8H":           base.Add(8 * time.Hour),
		"PT1H30M":        base.Add(90 * time.Minute),
		"PT1.5H":         base.Add(90 * time.Minute),
		"P365D":          base.AddDate(0, 0, 365),
		"P1M":            base.AddDate(0, 1, 0),
		"P1Y2M3DT4H5M6S": base.AddDate(1, 2, 3).Add(4*time.Hour + 5*time.Minute + 6*time.Second),
		"P2W":            base.AddDate(0, 0, 14),
		"PT0.5S":         base.Add(500 * time.Millisecond),
	}
	for in, want := range cases {
		d, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := d.AddTo(base); !got.Equal(want) {
			t.Errorf("Parse(%q).AddTo = %s, want %s", in, got, want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "P", "PT", "8H", "P1H", "PT1D", "P1.5D", "PTT1H", "P1", "-PT1H", "P1DT",
		// Graph's spelling: upper case, each unit once and in order, a fraction only last.
		"p1d", "pt1h30m", "P1D1D", "PT1H2H", "P1M1Y", "PT30M1H", "PT1.5H30M", "PT.5S", "PT1.S",
		// Values that used to overflow into schedules that had already ended.
		"PT9999999999H", "P9223372036854775807D", "PT99999999999999999999S", "P99999999Y", "PT1000000H"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", in)
		}
	}
}

// FuzzParse: no input panics, and whatever parses can be added to a date
// without wrapping around into the past.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"PT8H", "P1Y2M3W4DT5H6M7.5S", "P365D", "PT0.0001S", "P9999Y", "PT876000H", "P1DT1H"} {
		f.Add(s)
	}
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if end := d.AddTo(base); end.Before(base) {
			t.Fatalf("Parse(%q).AddTo(%s) = %s: before the start", s, base, end)
		}
	})
}
