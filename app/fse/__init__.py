"""« Élaborer une FSE »: identify the patient, build the basket, bill, validate and transmit."""
