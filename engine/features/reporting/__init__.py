"""The office's reporting: the leaders' dashboard (总览), the ledger (台账) in and out of Excel, the monthly
bulletin (月度通报)."""
