package main

import (
	"context"
	"fmt"
	"time"
)

const (
	memCompanies    = 100
	memFewCompanies = 10 // the first gateway's, for the heap per subscribed company
	memSeats        = 10 // one call per seat: 1,000 calls in progress
)

// benchMemory measures the gateway process's memory (heap in use after two
// garbage collections, and VmRSS) with 1,000 calls in progress across 100
// companies, beside the same process before the calls: 100 companies of 10
// linked seats, each company subscribed to call events; then every seat
// gets an incoming call, answered, and the figures are read once Zoho has
// "ringing" and "answered" for all of them and the store counts 1,000 open
// calls. The calls stay up while the figures are read. Before that, a
// gateway with 10 such companies, idle: the difference of the two idle
// gateways' heaps per company is the heap per subscribed company.
func benchMemory(ctx context.Context, b *bench) error {
	few, err := idleHeap(ctx, b, memFewCompanies)
	if err != nil {
		return err
	}
	t0 := time.Now()
	w, err := newWorld(ctx, b, "gwbench_memory", memCompanies, memSeats)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Printf("%d companies × %d linked seats, gateway process subscribed, in %s\n",
		memCompanies, memSeats, time.Since(t0).Round(time.Millisecond))
	time.Sleep(time.Second) // let start-up work (seat sync, first rounds) settle
	before, err := w.gw.mem()
	if err != nil {
		return err
	}

	calls := 0
	for c, co := range w.companies {
		for s, seat := range co.seats {
			id, err := w.xsi.InjectIncomingCall(seat.userID, fmt.Sprintf("+3465%03d%04d", c, s), "")
			if err == nil {
				err = w.xsi.AnswerAtSeat(id)
			}
			if err != nil {
				return err
			}
			calls++
		}
	}
	want := int64(2 * calls)
	deadline := time.Now().Add(30 * time.Second)
	open := 0
	for {
		if err := w.st.Pool().QueryRow(ctx, `SELECT count(*) FROM calls WHERE open`).Scan(&open); err != nil {
			return err
		}
		if w.notifies.Load() >= want && open == calls {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after 30s: %d of %d notifications at Zoho, %d of %d calls open", w.notifies.Load(), want, open, calls)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // idle again: delivery loops back to waiting
	during, err := w.gw.mem()
	if err != nil {
		return err
	}
	mb := func(v uint64) string { return fmt.Sprintf("%6.1f MiB", float64(v)/(1<<20)) }
	perCompany := (float64(before.HeapInuse) - float64(few.HeapInuse)) / float64(memCompanies-memFewCompanies) / 1024
	fmt.Printf("%3d companies, idle: heap in use %s, RSS %s, %d goroutines\n", memFewCompanies, mb(few.HeapInuse), mb(few.RSS), few.Goroutines)
	fmt.Printf("%3d companies, idle: heap in use %s, RSS %s, %d goroutines\n", memCompanies, mb(before.HeapInuse), mb(before.RSS), before.Goroutines)
	fmt.Printf("%d calls up     : heap in use %s, RSS %s, %d goroutines (%d open calls in the store, %d callnotify at Zoho)\n",
		calls, mb(during.HeapInuse), mb(during.RSS), during.Goroutines, open, w.notifies.Load())
	fmt.Printf("ratio during/before: heap %.2f, RSS %.2f; difference per call: heap %+.1f KiB, RSS %+.1f KiB\n",
		float64(during.HeapInuse)/float64(before.HeapInuse), float64(during.RSS)/float64(max(before.RSS, 1)),
		(float64(during.HeapInuse)-float64(before.HeapInuse))/float64(calls)/1024,
		(float64(during.RSS)-float64(before.RSS))/float64(calls)/1024)
	perCall := (float64(during.HeapInuse) - float64(before.HeapInuse)) / float64(calls) / 1024
	fmt.Printf("heap per call in progress %+.1f KiB; per subscribed company (idle, %d against %d companies) %+.1f KiB\n",
		perCall, memCompanies, memFewCompanies, perCompany)
	b.figures.set("memory_heap_per_call_kib", perCall)
	b.figures.set("memory_heap_per_company_kib", perCompany)
	return nil
}

// idleHeap starts a gateway with companies subscribed companies of
// memSeats linked seats and reads its memory once start-up has settled.
func idleHeap(ctx context.Context, b *bench, companies int) (memFigures, error) {
	w, err := newWorld(ctx, b, "gwbench_memory_few", companies, memSeats)
	if err != nil {
		return memFigures{}, err
	}
	defer w.Close()
	time.Sleep(time.Second) // as below
	return w.gw.mem()
}
