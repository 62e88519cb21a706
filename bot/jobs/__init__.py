"""Jobs once accepted: the worker, the dispatcher, the engine adapter, the schedule and the clean-up."""
