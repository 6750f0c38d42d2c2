// Package isoduration parses the ISO 8601 durations Graph uses for PIM
// schedules and policy limits (PT8H, P365D, P1Y2M, PT1H30M).
//
// Calendar parts (years, months, days) are kept apart from clock parts so that
// adding "P1M" to 31 January follows the calendar, as Graph does, instead of
// adding a fixed number of hours.
package isoduration

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a parsed ISO 8601 duration.
type Duration struct {
	Years, Months, Weeks, Days int
	Clock                      time.Duration // hours, minutes and seconds
}

// Bounds that keep every parsed duration addable to a date without
// overflow: calendar parts up to 10,000 years' worth, the time part up to
// 100 years.
const (
	maxCalendarUnits = 10000 * 366
	maxClock         = 100 * 366 * 24 * time.Hour
)

var clockUnits = map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}

// ErrEmpty is returned for "P" or "PT" with no components.
var ErrEmpty = errors.New("duration has no components")

// unitOrder is where each unit stands: each appears at most once, in this
// order (P1D1D, PT1H2H and P1M1Y are not durations).
var unitOrder = map[string]int{"Y": 1, "M": 2, "W": 3, "D": 4, "TH": 5, "TM": 6, "TS": 7}

// Parse parses an ISO 8601 duration such as "P1DT12H" or "PT30M", as Graph
// writes them: upper case, each unit at most once and in order, a fraction
// only on the last part. Negative durations and fractional calendar parts
// are rejected: PIM never uses them.
func Parse(s string) (Duration, error) {
	var d Duration
	if len(s) < 2 || s[0] != 'P' {
		return d, fmt.Errorf("%q is not an ISO 8601 duration: it must start with P, in upper case (for example PT8H or P30D)", s)
	}
	if strings.ToUpper(s) != s {
		return d, fmt.Errorf("%q is not an ISO 8601 duration: write it in upper case (for example %s)", s, strings.ToUpper(s))
	}
	rest := s[1:]
	inTime := false
	seen, last := 0, 0
	for len(rest) > 0 {
		if rest[0] == 'T' {
			if inTime {
				return d, fmt.Errorf("%q is not an ISO 8601 duration: T appears twice", s)
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return d, fmt.Errorf("%q is not an ISO 8601 duration: nothing follows T", s)
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return d, fmt.Errorf("%q is not an ISO 8601 duration: expected a number followed by a unit", s)
		}
		num, unit := rest[:i], rest[i]
		rest = rest[i+1:]
		seen++
		key := string(unit)
		if inTime {
			key = "T" + key
		}
		if pos, ok := unitOrder[key]; ok {
			if pos <= last {
				return d, fmt.Errorf("%q is not an ISO 8601 duration: each unit appears once, in the order Y, M, W, D, T, H, M, S", s)
			}
			last = pos
		}
		if strings.Contains(num, ".") && (rest != "" || num[0] == '.' || num[len(num)-1] == '.') {
			return d, fmt.Errorf("%q is not an ISO 8601 duration: only its last part may have a fraction, written as in PT1.5H", s)
		}
		if !inTime {
			n, err := strconv.Atoi(num)
			if err != nil {
				return d, fmt.Errorf("%q is not an ISO 8601 duration: %q must be a whole number", s, num)
			}
			if n > maxCalendarUnits {
				return d, fmt.Errorf("%q is not a usable duration: %s%c is longer than 10,000 years", s, num, unit)
			}
			switch unit {
			case 'Y':
				d.Years += n
			case 'M':
				d.Months += n
			case 'W':
				d.Weeks += n
			case 'D':
				d.Days += n
			default:
				return d, fmt.Errorf("%q is not an ISO 8601 duration: unknown date unit %q (use Y, M, W or D, and T before H, M or S)", s, unit)
			}
			continue
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return d, fmt.Errorf("%q is not an ISO 8601 duration: bad number %q", s, num)
		}
		per, ok := clockUnits[unit]
		if !ok {
			return d, fmt.Errorf("%q is not an ISO 8601 duration: unknown time unit %q (use H, M or S)", s, unit)
		}
		// time.Duration holds about 292 years; refuse what would wrap around.
		if f*float64(per) >= float64(maxClock-d.Clock) {
			return d, fmt.Errorf("%q is not a usable duration: its time part is longer than 100 years (use days, for example P3650D)", s)
		}
		d.Clock += time.Duration(f * float64(per))
	}
	if seen == 0 {
		return d, fmt.Errorf("%q: %w", s, ErrEmpty)
	}
	return d, nil
}

// AddTo returns t plus the duration, calendar parts first.
func (d Duration) AddTo(t time.Time) time.Time {
	return t.AddDate(d.Years, d.Months, d.Weeks*7+d.Days).Add(d.Clock)
}

// IsZero reports whether the duration adds nothing.
func (d Duration) IsZero() bool {
	return d.Years == 0 && d.Months == 0 && d.Weeks == 0 && d.Days == 0 && d.Clock == 0
}
